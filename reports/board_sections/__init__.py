"""The board report's sections beyond the scorecard and the projection, one module each,
and the chart and table rendering they share with ``reports.board``."""
