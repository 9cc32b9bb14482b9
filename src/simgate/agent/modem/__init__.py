"""Real GSM modems: AT commands over a serial port, SMS in PDU mode."""
