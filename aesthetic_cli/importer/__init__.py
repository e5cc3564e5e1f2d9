"""Reading CRM/POS exports into the warehouse (SPEC §1)."""

# The files aesops reads, by their names' suffixes: importer/read.py reads them, the intake folder and `aesops import
# FOLDER` pick them. Kept here, light, so that picking them imports no parser.
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
