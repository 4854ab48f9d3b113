"""The product core: cases, lots, schedules, buyers, deposits, results."""
