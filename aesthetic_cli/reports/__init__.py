"""Reports: monthly, weekly and daily, as xlsx and self-contained HTML; safe to run from cron."""
