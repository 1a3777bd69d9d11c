"""Orders (订单管理): contracts, their review and change orders, and the printed contract."""
