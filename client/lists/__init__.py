"""Lists over large data: declarative specs, SQL with keyset paging, and the registry of every
exportable list (used by the list window and by `yiwei export`)."""
