"""Study steps: ice Ih phonons and sublimation."""

from __future__ import annotations

from pathlib import Path

from molxtal.data import dmc_ice13
from molxtal.models import Model
from molxtal.study.steps import Step, Table, Values, register, save_figure

# --------------------------------------------------------------------------- ice Ih phonons


def _phonons(model: Model, p: dict, folder: Path) -> Values:
    from molxtal.data import heat_capacity
    from molxtal.plotting.phonons import plot_bands, plot_dos, plot_heat_capacity
    from molxtal.workflows import phonons as ph

    atoms = dmc_ice13.polymorph("Ih")
    n_mol = dmc_ice13.MOLECULES_PER_CELL["Ih"]
    options = {"path": p["path"], "npoints": p["npoints"], "mesh": p["mesh"]}
    options |= {"sigma_THz": p["sigma_THz"], "t_max": 300.0, "t_step": 5.0}
    values: Values = {"supercells": {}}
    for n in p["supercells"]:
        settings = ph.DisplacementSettings(ph.supercell_matrix([n, n, n]), p["displacement"])
        run = ph.run_force_constants(
            atoms, model, settings, folder / "forces", "positions", p["relax_fmax"]
        )
        variants = {"H2O": run.phonon, "D2O": ph.with_masses(run.phonon, ph.ISOTOPES["D2O"])}
        analyses = {k: ph.analyse(v, n_mol, **options) for k, v in variants.items()}
        values["supercells"][f"{n}x{n}x{n}"] = {
            "n_atoms": run.n_atoms_supercell,
            "n_displacements": run.n_displacements,
            "acoustic_gamma_max_cm-1": run.force_constants.acoustic_max_cm1,
            **{
                f"{k}_{q}": float(a.thermal.per_molecule()[q][-1])
                for k, a in analyses.items()
                for q in ("F_kJ_per_mol", "C_v_J_per_K_mol")
            },
            **{f"{k}_zpe_kJmol": a.thermal.zpe_kJmol / n_mol for k, a in analyses.items()},
        }
    largest = f"{n}x{n}x{n}"
    cv = {k: a.thermal.per_molecule()["C_v_J_per_K_mol"] for k, a in analyses.items()}
    refs = [heat_capacity.holzapfel_klotz_2021(), heat_capacity.flubacher_1960()]
    title = f"ice Ih {largest}, {model.name}"
    values["figures"] = [
        save_figure(
            folder,
            "bands.png",
            plot_bands,
            {k: a.bands for k, a in analyses.items()},
            "cm-1",
            title,
        ),  # fmt: skip
        save_figure(
            folder, "dos.png", plot_dos, {k: a.dos for k, a in analyses.items()}, "cm-1", title
        ),  # fmt: skip
        save_figure(
            folder,
            "heat_capacity.png",
            plot_heat_capacity,
            analyses["H2O"].thermal.temperatures_K,
            cv,
            refs,
            title,
        ),  # fmt: skip
    ]
    values["C_v_J_per_K_mol"] = {"T_K": analyses["H2O"].thermal.temperatures_K, **cv}
    return values


def _phonon_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for name, v in values.items():
        for size, s in v["supercells"].items():
            rows.append(
                [
                    name,
                    f"{size} ({s['n_atoms']} atoms, {s['n_displacements']} displacements)",
                    f"{s['acoustic_gamma_max_cm-1']:.2f}",
                    f"{s['H2O_zpe_kJmol']:.2f} / {s['D2O_zpe_kJmol']:.2f}",
                    f"{s['H2O_F_kJ_per_mol']:.2f} / {s['D2O_F_kJ_per_mol']:.2f}",
                    f"{s['H2O_C_v_J_per_K_mol']:.2f} / {s['D2O_C_v_J_per_K_mol']:.2f}",
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
    from molxtal.plotting.thermo import plot_sublimation
    from molxtal.workflows import phonons as ph
    from molxtal.workflows.sublimation import sublimation

    n = p["supercell"]
    result = sublimation(
        dmc_ice13.polymorph("Ih"),
        model,
        p["temperatures_K"],
        molecule=dmc_ice13.gas_molecule(),
        settings=ph.DisplacementSettings(ph.supercell_matrix([n, n, n])),
        mesh=p["mesh"],
        checkpoint_root=folder / "forces",
        fmax=p["fmax"],
    )
    terms = result.terms_kJmol()
    title = f"ice Ih, {model.name}"
    return {
        "terms_kJmol": terms,
        "geometries": result.geometries(),
        "figures": [save_figure(folder, "sublimation.png", plot_sublimation, terms, title)],
    }


def _sublimation_table(values: dict[str, Values], p: dict) -> Table:
    rows = []
    for name, v in values.items():
        terms = v["terms_kJmol"]
        for k, t in enumerate(terms["T_K"]):
            expected = SUBLIMATION_273K_KJMOL if abs(t - 273.16) < 1e-6 else None
            dh = terms["dH_sub_kJmol"][k]
            rows.append(
                [
                    name,
                    f"{t:g}",
                    f"{-terms['E_latt_kJmol'][k]:.2f}",
                    f"{terms['delta_TQN_kJmol'][k]:.2f}",
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
