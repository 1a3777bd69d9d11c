"""基础信息 (master data): customer sources, channels, decoration designers and communities."""
