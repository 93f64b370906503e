"""The instructors' tools: the course folder (:mod:`.course`), the ``cnn-course`` command
(:mod:`.cli`), synthetic submissions, class grading (:mod:`.grading`) and its report
(:mod:`.report`)."""
