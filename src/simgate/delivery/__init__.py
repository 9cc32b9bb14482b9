"""Outbound SMS: the delivery-api use cases, the queue, and its SMPP / log transports."""
