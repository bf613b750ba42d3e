"""Inter-coder agreement: units from spans, coefficients, reports, reconciliation.

- `coefficients`: the coefficients as plain functions over plain data.
- `units`, `unit_table`: which coder applied which code to which unit (utterance, sentence,
  character).
- `patterns`: fast nominal alpha, Fleiss' kappa and bootstrap over unit patterns.
- `report`: `agreement_report(project, coders, ...)`, per code and overall, with its method
  text (`method`); `render` prints it as a table or CSV.
- `disagreements`, `reconcile`: the units where coders differ, and decisions on them written
  to a consensus coder with provenance.
"""
