"""The contingent: students, guardians and consent, movement by order, the contingent
import and the import of classes and staff, the health sheet, records, credentials
letters, HR (staff records and staff accounts) and the compromise workflow.

``people`` has no models of its own: the rows it works on (``Student``, ``Guardian``,
``StaffMember``, ``CompromiseReport`` …) stay in ``ejournal.accounts.models`` under the
``accounts`` app label, so moving the code here needed no data migration. It imports
those models like any other app does.
"""
