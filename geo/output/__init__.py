"""
What people see and take away: maps, profiles and documents made from the data and the register.

The map's styling (`maps`), the web map in the app and as an HTML file (`webmap`, its script in `web/`),
printed maps (`snapshot`), a Sozialraum's profile (`profile`), places near a point (`nearby`), exports and
the one-page briefs (`briefs`), certificates, reports and agendas (`programme_pdfs`), the Sozialraum-Mappe
(`dossier`) and minutes of a meeting (`minutes`); the layout all PDFs share (`_pdf`, for this package only). Modules here may import every other package of `geo`; only the command line imports them.
"""
