"""Customers (客户管理): showroom traffic, channel lead reports, customer records, follow-up."""
