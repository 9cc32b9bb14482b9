"""A live update is one well-formed Server-Sent Event whatever the SMS text holds."""

from __future__ import annotations

from simgate.web.cabinet import _event


def test_every_line_break_of_the_html_becomes_a_data_line():
    html = "<li>VK: code\r12345\r\nbye\u2028</li>\n<p>x</p>"
    event = _event("rentals", html)
    # An event stream breaks lines at CR, LF and CRLF: none may hide inside a field.
    fields = event.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert fields[0] == "event: rentals"
    assert fields[-2:] == ["", ""]  # a blank line ends the event
    data = fields[1:-2]
    assert all(line.startswith("data: ") for line in data)
    assert "12345" in "".join(data) and "bye" in "".join(data)
