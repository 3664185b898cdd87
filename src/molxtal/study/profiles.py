"""Settings of each step per profile: ``quick`` (the default; about 20 min on 2 CPU cores),
``full`` (the thesis's settings, for a GPU or a cluster) and ``test`` (seconds, for the test
suite). A step missing from a profile is not run."""

from __future__ import annotations

from molxtal.errors import MolxtalError
from molxtal.workflows.scan import DELTA_SCAN, DELTA_SCAN_FMAX, FMAX_SCAN
from molxtal.workflows.water import BINDING_DISTANCES

PHONON_PATH = "GAMMA-A-K-H-M-L-GAMMA"

QUICK = {
    "water-monomer": {"fmax": 1e-6, "steps": 1000, "delta": 1e-3, "nfree": 4},
    "water-dimer": {"fmax": 1e-4, "steps": 1000, "delta": 1e-3, "nfree": 4},
    "binding-curve": {
        "distances": (2.6, 2.8, 3.0, 3.2, 3.6, 4.4, 6.0),
        "fmax": 1e-2,
        "steps": 200,
    },
    "fmax-scan": {"fmaxes": (1e-2, 1e-3, 1e-4, 1e-5, 1e-6), "steps": 1000},
    "delta-scan": {"deltas": (1e-4, 1e-3, 1e-2), "fmaxes": (1e-2, 1e-5), "nfree": 2, "steps": 1000},
    "dmc-ice13": {"ice_viii": "table"},
    "ice-ih-phonons": {
        "supercells": (1, 2),
        "displacement": 0.01,
        "displacements": "systematic",
        "relax_fmax": 1e-2,
        "path": PHONON_PATH,
        "npoints": 31,
        "mesh": (6, 6, 6),
        "sigma_THz": 0.05,
    },
    "sublimation": {
        "supercell": 2,
        "displacements": "systematic",
        "mesh": (6, 6, 6),
        "fmax": 1e-2,
        "temperatures_K": (0.0, 100.0, 200.0, 273.16),
    },
    "water-md": {
        "molecules": 64,
        "density": 0.997,
        "seed": 0,
        "temperature_K": 300.0,
        "pre_equilibration_ps": 10.0,
        "minimise_steps": 100,
        "timestep_fs": 0.5,
        "tdamp_fs": 50.0,
        "steps": 1000,
        "stride": 5,
        "checkpoint_every": 100,
        "equilibration_ps": 0.2,
        "npt_steps": 0,
    },
    "x23": {
        "systems": None,
        "relax": "fixed",
        "sublimation": False,
        "min_length": 10.0,
        "fmax": 1e-3,
    },
}

FULL = {
    "water-monomer": {"fmax": 1e-8, "steps": 1000, "delta": 1e-3, "nfree": 4},
    "water-dimer": {"fmax": 1e-6, "steps": 2000, "delta": 1e-3, "nfree": 4},
    "binding-curve": {"distances": BINDING_DISTANCES, "fmax": 1e-3, "steps": 500},
    "fmax-scan": {"fmaxes": FMAX_SCAN, "steps": 2000},
    "delta-scan": {"deltas": DELTA_SCAN, "fmaxes": DELTA_SCAN_FMAX, "nfree": 2, "steps": 2000},
    "dmc-ice13": {"ice_viii": "table"},
    "ice-ih-phonons": {
        "supercells": (1, 2, 3),
        "displacement": 0.01,
        "relax_fmax": 1e-3,
        "path": PHONON_PATH,
        "npoints": 101,
        "mesh": (8, 8, 8),
        "sigma_THz": 0.05,
    },
    "sublimation": {
        "supercell": 3,
        "mesh": (8, 8, 8),
        "fmax": 1e-3,
        "temperatures_K": (0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 273.16),
    },
    "water-md": {
        "molecules": 128,
        "density": 0.997,
        "seed": 0,
        "temperature_K": 300.0,
        "pre_equilibration_ps": 20.0,
        "minimise_steps": 200,
        "timestep_fs": 0.5,
        "steps": 100_000,
        "stride": 20,
        "checkpoint_every": 1000,
        "equilibration_ps": 10.0,
        "npt_steps": 80_000,
        "npt_equilibration_ps": 10.0,
    },
    "x23": {
        "systems": None,
        "relax": "positions",
        "sublimation": True,
        "min_length": 10.0,
        "fmax": 1e-3,
    },
}

TEST = {
    "water-monomer": {"fmax": 1e-3, "steps": 100, "delta": 1e-3, "nfree": 2},
    "water-dimer": {"fmax": 1e-2, "steps": 50, "delta": 1e-3, "nfree": 2},
    "binding-curve": {"distances": (2.8, 3.2, 4.0), "fmax": 5e-2, "steps": 30},
    "fmax-scan": {"fmaxes": (1e-1, 1e-2), "steps": 100},
    "delta-scan": {"deltas": (1e-3, 1e-2), "fmaxes": (1e-2,), "nfree": 2, "steps": 100},
    "water-md": {
        "molecules": 4,
        "density": 0.997,
        "seed": 0,
        "temperature_K": 300.0,
        "timestep_fs": 0.1,
        "steps": 20,
        "stride": 2,
        "checkpoint_every": 10,
        "equilibration_ps": 0.0,
        "max_temperature_K": 1e6,
        "pre_equilibration_ps": 0.0,
        "minimise_steps": 5,
        "npt_steps": 0,
    },
    "dmc-ice13": {"ice_viii": "table"},
    "sublimation": {
        "supercell": 1,
        "mesh": (2, 2, 2),
        "fmax": 5.0,
        "temperatures_K": (0.0, 273.16),
    },
    "ice-ih-phonons": {
        "supercells": (1,),
        "displacement": 0.01,
        "relax_fmax": 5.0,
        "path": PHONON_PATH,
        "npoints": 5,
        "mesh": (2, 2, 2),
        "sigma_THz": 0.1,
    },
    "x23": {
        "systems": "07co2,04ammonia",
        "relax": "fixed",
        "sublimation": False,
        "min_length": 5.0,
        "fmax": 1e-2,
    },
}

PROFILES = {"quick": QUICK, "full": FULL, "test": TEST}
#: What the report says about each profile.
NOTES = {
    "quick": "Quick profile: small settings chosen to finish in about 20 minutes on 2 CPU cores "
    "(loose relaxation thresholds, a 7-point binding curve, ice Ih phonons and "
    "sublimation at 2×2×2, a TIP4P-prepared liquid box with 0.5 ps of MLIP MD, X23 lattice "
    "energies on the fixed cells); most values are flagged indicative with the reason. Use "
    "--profile full for the thesis's settings.",
    "full": "Full profile: the thesis's settings.",
    "test": "Test profile: seconds-long settings for the test suite; the numbers are not physics.",
}
#: What each profile leaves out (and ``--profile full`` adds), listed in the report.
LEAVES_OUT = {
    "quick": [
        "Relaxations stop at loose thresholds (monomer 1e-6, dimer 1e-4, binding curve 1e-2 "
        "eV/Å); full: 1e-8, 1e-6 and 1e-3 eV/Å.",
        "Binding curve: 7 O–O distances; full: the thesis's grid.",
        "Ice Ih phonons and ΔH_sub: 1×1×1 and 2×2×2 supercells (systematic displacements, "
        "their forces shared by both steps) and a 6×6×6 mesh; full: 1×1×1 to 3×3×3 "
        "supercells and an 8×8×8 mesh.",
        "Liquid water: 64 molecules, 10 ps of TIP4P pre-equilibration, 100 FIRE steps of the "
        "MLIP, then only 0.5 ps of MLIP NVT (0.2 ps equilibration with a 50 fs Langevin time "
        "constant, 0.3 ps production): the RDF is indicative, the MSD is not yet diffusive "
        "so D is not computed, and no NPT run gives a density. Full: 128 molecules, 20 ps "
        "TIP4P, 40 ps MLIP NPT (density, after 10 ps) and 50 ps MLIP NVT (RDFs and "
        "Yeh–Hummer-corrected D after 10 ps).",
    ],
}


def profile(name: str) -> dict[str, dict]:
    """The settings of profile ``name``."""
    if name not in PROFILES:
        raise MolxtalError(f"unknown profile '{name}'; choose {', '.join(PROFILES)}")
    return PROFILES[name]
