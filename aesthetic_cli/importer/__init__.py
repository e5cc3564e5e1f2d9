"""Reading CRM/POS exports into the warehouse (SPEC §1)."""
