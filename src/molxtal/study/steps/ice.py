"""Study steps: ice Ih phonons and sublimation, through the workflows of ``molxtal phonons``
and ``molxtal sublimation``."""

from __future__ import annotations

from pathlib import Path

from molxtal.data import dmc_ice13
from molxtal.models import Model
from molxtal.study.cache import Cache
from molxtal.study.progress import step_progress
from molxtal.study.steps import Step, Table, Values, register, write_result

#: The structure's name in the results: DMC-ICE13's ice Ih cell (its figure gets the measured
#: heat capacities of ice Ih).
ICE_IH = "DMC-ICE13 ice Ih"


def shared_forces(folder: Path) -> Path:
    """The phonon force-set checkpoints of the whole cache (``cache/phonon-forces``, beside the
    steps' folders ``cache/<step>/<key>``): the phonon and sublimation steps relax the same
    crystal the same way, so the second finds the first's forces (their keys cover the
    structure, model and settings; each folder is locked while it is filled)."""
    return Cache.shared(folder, "phonon-forces")


# --------------------------------------------------------------------------- ice Ih phonons


def _phonons(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.force_constants import DisplacementSettings, supercell_matrix
    from molxtal.workflows.phonons import ISOTOPES, AnalysisSettings, phonons

    n = max(p["supercells"])
    result = phonons(
        dmc_ice13.polymorph("Ih"),
        model,
        DisplacementSettings(
            supercell_matrix([n, n, n]), p["displacement"], method=p.get("displacements", "auto")
        ),
        AnalysisSettings(p["path"], p["npoints"], p["mesh"], p["sigma_THz"], 300.0, 5.0),
        checkpoints=shared_forces(folder),
        relax="positions",
        relax_fmax=p["relax_fmax"],
        masses=ISOTOPES["D2O"],
        isotope="D2O",
        scan_sizes=p["supercells"],
        source=ICE_IH,
        title=f"ice Ih, {model.name}",
        progress=step_progress,
    )
    return write_result(result, folder)


def _phonon_table(values: dict[str, Values], p: dict) -> Table:
    quantities = (("zpe", "kJ_per_mol"), ("F_300K", "kJ_per_mol"), ("C_v_300K", "J_per_K_mol"))
    rows = []
    for name, v in values.items():
        for s in v["supercell_scan"]:
            n = s["supercell"]
            rows.append(
                [
                    name,
                    f"{n}x{n}x{n} ({s['n_atoms']} atoms, {s['n_displacements']} displacements)",
                    f"{s['acoustic_gamma_max_cm-1']:.2f}",
                    *(
                        f"{s[f'{q}_H2O_{unit}']:.2f} / {s[f'{q}_D2O_{unit}']:.2f}"
                        for q, unit in quantities
                    ),
                ]
            )
    return [
        "model",
        "supercell",
        "max |acoustic Γ| (cm⁻¹)",
        "ZPE H2O / D2O (kJ/mol)",
        "F(300 K) H2O / D2O (kJ/mol)",
        "C_v(300 K) H2O / D2O (J/(K mol))",
    ], rows


register(
    Step(
        "ice-ih-phonons",
        "Ice Ih phonons",
        "Harmonic phonons of ice Ih (DMC-ICE13 cell, positions relaxed) by finite displacements "
        "(phonopy): bands, DOS, heat capacity against Holzapfel & Klotz 2021 and Flubacher 1960, "
        "H2O and D2O masses, per supercell.",
        lambda p: [dmc_ice13.polymorph("Ih")],
        _phonons,
        _phonon_table,
    )
)

# --------------------------------------------------------------------------- sublimation

#: Sublimation enthalpy of ice Ih at the triple point, 273.16 K (kJ/mol): Feistel and Wagner,
#: Geochim. Cosmochim. Acta 71, 36 (2007).
SUBLIMATION_273K_KJMOL = 51.06


def _sublimation(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.workflows.force_constants import DisplacementSettings, supercell_matrix
    from molxtal.workflows.sublimation import sublimation

    n = p["supercell"]
    result = sublimation(
        dmc_ice13.polymorph("Ih"),
        model,
        p["temperatures_K"],
        molecule=dmc_ice13.gas_molecule(),
        settings=DisplacementSettings(
            supercell_matrix([n, n, n]), method=p.get("displacements", "auto")
        ),
        mesh=p["mesh"],
        checkpoint_root=shared_forces(folder),
        fmax=p["fmax"],
        source=ICE_IH,
        title=f"ice Ih, {model.name}",
        progress=step_progress,
    )
    return write_result(result, folder)


def _sublimation_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for name, v in values.items():
        for row in v["by_temperature"].values():
            t = row["T_K"]
            expected = SUBLIMATION_273K_KJMOL if abs(t - 273.16) < 1e-6 else None
            dh = row["dH_sub_kJ_per_mol"]
            rows.append(
                [
                    name,
                    f"{t:g}",
                    f"{-row['E_latt_kJ_per_mol']:.2f}",
                    f"{row['delta_TQN_kJ_per_mol']:.2f}",
                    f"{dh:.2f}" + ("" if expected is None else f" ({dh - expected:+.2f})"),
                    "-" if expected is None else f"{expected:.2f}",
                ]
            )
    columns = ["model", "T (K)", "−E_latt", "Δ_T&QN", "ΔH_sub (error)", "experiment"]
    return [f"{c} (kJ/mol)" if k > 1 else c for k, c in enumerate(columns)], rows


register(
    Step(
        "sublimation",
        "Sublimation enthalpy of ice Ih",
        "ΔH_sub(T) = −E_latt + Δ_T&QN(T) per molecule: lattice energy of the position-relaxed "
        "DMC-ICE13 ice Ih cell and the relaxed gas molecule, harmonic zero-point and thermal "
        "energies of gas (normal modes) and solid (phonons); experiment at 273.16 K: Feistel "
        "and Wagner 2007.",
        lambda p: [dmc_ice13.polymorph("Ih"), dmc_ice13.gas_molecule()],
        _sublimation,
        _sublimation_table,
    )
)
