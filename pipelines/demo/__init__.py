"""The main job: synthesize a district (or take given exports), ingest it, build the marts,
score the claims, project the ten-year return and write the three users' outputs.

- ``pipelines.demo.run``: ``run_demo``, the stages in order and what runs beside what (the
  district written in a forked process, the research extract in a spawned one);
- ``pipelines.demo.summaries``: each stage's job and the lines it prints.
"""

from pipelines.demo.run import run_demo

__all__ = ["run_demo"]
