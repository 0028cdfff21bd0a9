"""Shipping: address validation and correction, shipments and tracking."""

from ai_missions.tools import SystemContract, read, write, write_lookup

CONTRACT = SystemContract(
    "shipping",
    "Shipping",
    (
        read("shipping", "validate_address", "Validate an address: valid, corrected suggestion, undeliverable."),
        read("shipping", "get_address_validation", "The validation result of an order's ship-to."),
        read("shipping", "list_shipments", "Shipments of an order with tracking events."),
        read("shipping", "get_shipping_context", "An order's ship-to validation and shipments, in one read."),
        write("shipping", "apply_address_correction", "Apply the suggested correction to an order's ship-to."),
        write(
            "shipping",
            "update_shipment_address",
            "Change the ship-to an unshipped order's label will carry (shipping's own copy).",
        ),
        write_lookup("shipping"),
    ),
)
