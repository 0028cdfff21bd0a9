"""Customer portal (a dashboard page the support mission brings): a signed-in customer sees their orders, writes a
message about one, and later sees the answer and the outcome of their tickets.

Who the customer is comes from the signed-in account (role ``customer``), never from the page."""

from __future__ import annotations

import streamlit as st

from ai_missions.dashboard import api as ui
from ai_missions.graphs.support.portal_service import customer_of, my_orders, my_tickets, write_message
from ai_missions.mission_api import MissionsError

STATUS_WORDS = {
    "new": "Received",
    "open": "Being looked at",
    "pending": "Waiting for your answer",
    "solved": "Closed: answered",
    "closed": "Closed",
}

st.title("Customer portal")
account = ui.reviewer()
role = ui.roster().get(account or "")
try:
    customer = customer_of(account, role)
except MissionsError as exc:
    st.info(str(exc))
    st.stop()

client = ui.client()
st.caption(f"Signed in as {account} (customer {customer})")
try:
    orders = my_orders(client, customer)
    tickets = my_tickets(client, customer)
except MissionsError as exc:
    st.error(f"The shop's systems cannot be read right now: {exc}")
    st.stop()

st.subheader("Your orders")
if not orders:
    st.write("No orders yet.")
else:
    st.table(  # a plain table: a customer's few orders, readable by assistive technology
        [
            {
                "Order": o["order_id"],
                "Placed": o["placed_at"][:10],
                "Status": o["status"],
                "Total": f"{o['total']:,.2f}",
            }
            for o in orders
        ]
    )
    with st.form("write", clear_on_submit=True):
        st.markdown("**Write to us about an order**")
        order_id = st.selectbox("Order", [o["order_id"] for o in orders], key="portal-order")
        text = st.text_area("Your message", key="portal-message", max_chars=20_000)
        sent = st.form_submit_button("Send")
    if sent:
        try:
            result = write_message(client, ui.home(), str(account), str(role), str(order_id), text)
        except MissionsError as exc:
            st.error(str(exc))
        else:
            ticket = result["ticket"]
            st.success(f"Thank you: ticket {ticket['ticket_id']} is open; we will answer here.")
            tickets = my_tickets(client, customer)

st.subheader("Your messages")
if st.button("Check for answers", icon=":material/refresh:"):  # a rerun reads the tickets again
    tickets = my_tickets(client, customer)
if not tickets:
    st.write("No messages yet.")
for ticket in tickets:
    with st.container(border=True):
        st.markdown(
            f"**{ticket['ticket_id']}** · {ui.plain(ticket['subject'])} · "
            f"{STATUS_WORDS.get(ticket['status'], ticket['status'])}"
        )
        for message in ticket["messages"]:
            who = "You" if message["direction"] == "inbound" else "Support"
            st.markdown(f"*{who}, {message['sent_at'][:16].replace('T', ' ')}*")
            st.text(message["body"][:2000])
