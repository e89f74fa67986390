"""Demo data for a running platform: regencies, their people, plans, work and citizens.

    python -m deploy.run --demo                # starts everything, then loads this
    python -m deploy.demo [--port-offset N]    # against a platform already running

Everything goes through the services' public HTTP APIs, as people would do it: the
platform operator registers Kabupaten Bantul (Asia/Jakarta) and Kabupaten Jayapura
(Asia/Jayapura) and their first HR admin; HR imports units and employees (valid NIPs, a
supervisor tree); each employee logs in and sets the demo password; SKPs cascade from
the kepala dinas down to the staff and are approved by each direct supervisor; staff log
their work of the past weeks (some behind target, one silent); citizens fill SKM surveys
at the Dukcapil counters and file complaints that move through their lifecycle;
supervisors assess and note feedback. A regency that already exists is left alone.

The modules, by job (none of them talks HTTP unless its name says so):

- ``model``: the plan's shapes (:class:`~deploy.demo.model.RegencyPlan` and its parts,
  :class:`~deploy.demo.model.Place`, what differs between regencies);
- ``regencies``: the regencies themselves (another regency is another ``Place`` there);
- ``org``: the organisation every regency gets (units, posts, SKP content by job track);
- ``plan``: :func:`~deploy.demo.plan.demo_plan`, a pure function of the regency and the
  day, so a test can compute what the services must show from the same inputs;
- ``accounts``: the demo's user names and passwords;
- ``client``: plain HTTP to the services (:class:`~deploy.demo.client.Api`), polling and
  the thread pool;
- ``load``: :class:`~deploy.demo.load.RegencyLoader`, one regency's plan put in, step by
  step;
- ``cli``: load every regency and print how to log in (what ``deploy.run --demo`` calls).
"""
