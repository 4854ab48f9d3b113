"""The e-Offering room: live bidding over WebSockets."""
