"""Reading: input files to units (sources), and units to model events (page, record)."""
