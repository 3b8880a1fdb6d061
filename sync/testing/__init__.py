"""Test support that ships with signer-sync: a local fake of the Google Sheets v4 API."""
