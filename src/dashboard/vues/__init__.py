"""Pure builders of folium maps, plotly figures and French text. Testable without a browser."""
