"""Pure functions: frames in, frames out. No file access, no Streamlit, no mutation."""
