//! Business-hours calendars and the running clock of deadlines.
