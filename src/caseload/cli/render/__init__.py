"""Everything the commands print, in one place: Rich tables and lines, one module per
command group. Commands parse options, call one service and hand its result here."""
