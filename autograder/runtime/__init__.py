"""The student's runtime: what a notebook needs while a student works.

Comparisons in plain words (:mod:`.compare`), calling an answer safely (:mod:`.calling`),
watching what it runs (:mod:`.guard`), seeded random cases (:mod:`.cases`), the check kit
with the hidden cases (:mod:`.kit`), recognising known mistakes (:mod:`.mistakes`,
:mod:`.diagnosis`, :mod:`.sections`), the device (:mod:`.device`), failed checks shown
as messages (:mod:`.notebook`), the finished blocks later notebooks build on
(:mod:`.blocks`) and the figure style (:mod:`.figures`). Nothing here imports a chapter
or the instructors' tools.
"""
