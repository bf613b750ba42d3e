"""Inter-coder agreement: units from spans, coefficients, reports.

`accord.agreement.coefficients` holds the coefficients as plain functions over plain data.
"""
