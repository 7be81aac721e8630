"""Firm adaptation and governance mechanisms (one module per mechanism).

* :mod:`.adaptation`: customer search, diversification, the green activity;
* :mod:`.membership`: joining and leaving the alliance, trust, peer effects;
* :mod:`.brokerage`: meetings reveal input needs and broker local supplier links;
* :mod:`.projects`: the alliance's joint projects (real-world labs);
* :mod:`.pooling`: members hire other members' surplus staff before layoffs;
* :mod:`.programmes`: the city office's grants, vouchers and start-up grants;
* :mod:`.coordinator`: wires the mechanisms of a governance setting into the month;
* :mod:`.alliance`, :mod:`.city_office`: the collective actors (Mesa agents) whose rules the modules above hold.

The package face imports nothing, so each module can be imported on its own.
"""
