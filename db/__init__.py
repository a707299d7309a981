"""The record of Accord Desk and its rules. Nothing here imports Qt."""
