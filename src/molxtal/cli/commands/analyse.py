"""``molxtal analyse TRAJECTORY...``: RDFs against Soper 2013, density, MSD and diffusion."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from ase import Atoms

from molxtal.analysis.blocks import block_average
from molxtal.analysis.diffusion import self_diffusion
from molxtal.analysis.rdf import partial_rdf, rdf_shape, squared_difference
from molxtal.cli.console import console, handle_errors, print_table
from molxtal.cli.options import DataDirOpt, OutOpt
from molxtal.cli.run import result_dir
from molxtal.data import use_data_dir
from molxtal.data.rdf import soper2013
from molxtal.errors import MolxtalError
from molxtal.io import read_json
from molxtal.plotting.md import density_figure, msd_figure, rdf_figure
from molxtal.structures import density_g_cm3, find_molecules

#: Upper limit (Å) of the integrated squared difference to the experimental RDF.
ISD_R_MAX = 8.0


def read_frames(path: Path) -> list[Atoms]:
    from ase.io import read

    if not path.is_file():
        raise MolxtalError(f"{path}: file not found")
    try:
        frames = read(path, ":")
    except Exception as exc:
        raise MolxtalError(f"{path}: cannot read trajectory ({exc})") from exc
    if len(frames) < 2:
        raise MolxtalError(f"{path}: needs at least two frames")
    return frames


def run_info(path: Path) -> dict:
    """The md ``results.json`` next to a trajectory, if there is one."""
    summary = path.parent / "results.json"
    return read_json(summary) if summary.is_file() else {}


def frame_times(frames: list[Atoms], interval: float | None, path: Path) -> np.ndarray:
    """Time (ps) of each frame: from ``time_ps`` in the frames, else ``--frame-interval``."""
    if all("time_ps" in f.info for f in frames):
        return np.array([float(f.info["time_ps"]) for f in frames])
    if interval is None:
        raise MolxtalError(f"{path}: frames carry no time_ps; give --frame-interval (ps)")
    return np.arange(len(frames)) * interval


def analyse_one(path: Path, options: dict) -> tuple[dict, list, object, dict]:
    """Everything for one trajectory: summary dict, RDFs, diffusion result, density series."""
    frames = read_frames(path)
    info = run_info(path)
    equilibration = options["equilibration"]
    if equilibration is None:
        equilibration = float(info.get("equilibration_ps", 0.0))
    times = frame_times(frames, options["frame_interval"], path)
    production = [f for f, t in zip(frames, times, strict=True) if t >= equilibration - 1e-9]
    if len(production) < 2:
        raise MolxtalError(f"{path}: fewer than two frames after {equilibration} ps")
    ids = None
    if options["intermolecular"]:
        molecules = find_molecules(production[0], source=str(path))
        ids = np.empty(len(production[0]), dtype=int)
        for k, idx in enumerate(molecules.indices):
            ids[idx] = k
    rdfs = [
        partial_rdf(
            production,
            *pair.split("-"),
            bin_width=options["bin_width"],
            n_blocks=options["blocks"],
            molecule_ids=ids,
        )
        for pair in options["pairs"]
    ]
    reference = options["reference"]
    summary: dict = {"trajectory": str(path), "n_frames": len(production)}
    summary["equilibration_ps"] = equilibration
    for rdf in rdfs:
        shape = rdf_shape(rdf)
        key = f"rdf_{rdf.pair}"
        summary[f"{key}_first_peak_angstrom"] = shape.peak_r
        summary[f"{key}_first_peak_height"] = shape.peak_g
        summary[f"{key}_first_min_angstrom"] = shape.min_r
        summary[f"{key}_coordination_number"] = shape.coordination_number
        if reference is not None and rdf.pair in reference.g:
            summary[f"{key}_isd_soper2013_angstrom"] = squared_difference(
                rdf, reference.r, reference.g[rdf.pair], ISD_R_MAX
            )
            summary["isd_r_max_angstrom"] = min(ISD_R_MAX, float(rdf.r[-1]))
    density = np.array([density_g_cm3(f) for f in production])
    mean, err = block_average(density, options["blocks"])
    summary["density_g_cm3"] = float(mean)
    summary["density_err_g_cm3"] = float(err)
    temperature = options["temperature"] or info.get("temperature_K")
    diffusion = None
    try:
        diffusion = self_diffusion(
            production,
            float(np.mean(np.diff(times))),
            species=options["species"],
            n_blocks=options["blocks"],
            temperature_K=temperature,
            viscosity_mpa_s=options["viscosity"],
        )
        summary["diffusion_cm2_s"] = diffusion.d_cm2_s
        summary["diffusion_err_cm2_s"] = diffusion.d_err_cm2_s
        summary["diffusion_fit_range_ps"] = diffusion.fit_range_ps
        summary["diffusion_yeh_hummer_cm2_s"] = diffusion.d_corrected_cm2_s
    except MolxtalError as exc:
        summary["diffusion_cm2_s"] = None
        summary["diffusion_note"] = str(exc)
    series = {"time_ps": times, "density_g_cm3": [density_g_cm3(f) for f in frames]}
    return summary, rdfs, diffusion, series


@handle_errors
def analyse_command(
    trajectories: Annotated[
        list[Path], typer.Argument(help="Trajectories (any format ASE reads), e.g. one per model.")
    ],
    label: Annotated[
        list[str] | None, typer.Option(help="Legend label per trajectory [default: model].")
    ] = None,
    equilibration: Annotated[
        float | None, typer.Option(help="Skip frames before this time (ps) [default: from md].")
    ] = None,
    frame_interval: Annotated[
        float | None, typer.Option(help="Time between frames (ps) if the file does not say.")
    ] = None,
    pairs: Annotated[str, typer.Option(help="Comma-separated partials.")] = "O-O,O-H,H-H",
    intermolecular: Annotated[
        bool, typer.Option(help="Drop pairs within one molecule (as Soper 2013 does).")
    ] = True,
    bin_width: Annotated[float, typer.Option(help="RDF bin width (Å).")] = 0.02,
    blocks: Annotated[int, typer.Option(help="Blocks for block-average errors.")] = 5,
    species: Annotated[str, typer.Option(help="Element whose MSD gives D.")] = "O",
    viscosity: Annotated[
        float | None, typer.Option(help="Shear viscosity (mPa s) for the Yeh-Hummer correction.")
    ] = None,
    temperature: Annotated[
        float | None, typer.Option(help="Temperature (K) for Yeh-Hummer [default: from md].")
    ] = None,
    reference: Annotated[bool, typer.Option(help="Compare with Soper 2013.")] = True,
    data_dir: DataDirOpt = None,
    out: OutOpt = None,
) -> None:
    """Partial RDFs (vs Soper 2013), density and self-diffusion of MD trajectories."""
    use_data_dir(data_dir)
    labels = label or [run_info(p).get("model", p.stem) for p in trajectories]
    if len(labels) != len(trajectories):
        raise MolxtalError("give one --label per trajectory")
    options = {
        "equilibration": equilibration,
        "frame_interval": frame_interval,
        "pairs": [p.strip() for p in pairs.split(",")],
        "intermolecular": intermolecular,
        "bin_width": bin_width,
        "blocks": blocks,
        "species": species,
        "viscosity": viscosity,
        "temperature": temperature,
        "reference": soper2013() if reference else None,
    }
    if any(len(p.split("-")) != 2 for p in options["pairs"]):
        raise MolxtalError(f"--pairs '{pairs}' must look like O-O,O-H")
    parameters = {k: v for k, v in options.items() if k != "reference"}
    parameters["trajectories"] = [str(p) for p in trajectories]
    with result_dir("analyse", out, parameters=parameters) as results:
        per_label, all_rdfs, rows = {}, {}, []
        for path, name in zip(trajectories, labels, strict=True):
            with results.provenance.stage(f"analyse[{name}]"):
                summary, rdfs, diffusion, series = analyse_one(path, options)
            per_label[name] = summary
            all_rdfs[name] = rdfs
            results.write_csv(
                f"rdf_{name}.csv",
                [
                    {"r_angstrom": r, **{f"g_{x.pair}": x.g[k] for x in rdfs}}
                    | {f"g_{x.pair}_err": x.g_err[k] for x in rdfs}
                    for k, r in enumerate(rdfs[0].r)
                ],
            )
            results.write_csv(
                f"density_{name}.csv",
                [
                    {"time_ps": t, "density_g_cm3": d}
                    for t, d in zip(series["time_ps"], series["density_g_cm3"], strict=True)
                ],
            )
            results.save_figure(
                f"density_{name}.png",
                density_figure(
                    np.array(series["time_ps"]),
                    np.array(series["density_g_cm3"]),
                    summary["equilibration_ps"],
                ),
            )
            if diffusion is not None:
                results.write_csv(
                    f"msd_{name}.csv",
                    [
                        {"lag_ps": t, "msd_angstrom2": m}
                        for t, m in zip(diffusion.lag_ps, diffusion.msd_angstrom2, strict=True)
                    ],
                )
                results.save_figure(f"msd_{name}.png", msd_figure(diffusion, species))
            first = rdfs[0]
            shape_key = f"rdf_{first.pair}"
            d = summary.get("diffusion_cm2_s")
            rows.append(
                [
                    name,
                    f"{summary[f'{shape_key}_first_peak_angstrom']:.3f}",
                    f"{summary[f'{shape_key}_first_peak_height']:.3f}",
                    f"{summary[f'{shape_key}_coordination_number']:.2f}",
                    f"{summary.get(f'{shape_key}_isd_soper2013_angstrom', float('nan')):.4f}",
                    f"{summary['density_g_cm3']:.4f} ± {summary['density_err_g_cm3']:.4f}",
                    "-" if d is None else f"{d:.3e} ± {summary['diffusion_err_cm2_s']:.1e}",
                ]
            )
        results.save_figure("rdf.png", rdf_figure(all_rdfs, options["reference"]))
        payload = per_label[labels[0]] if len(labels) == 1 else {}
        results.write_json("results.json", {**payload, "runs": per_label})
    pair = all_rdfs[labels[0]][0].pair
    print_table(
        f"MD analysis ({len(trajectories)} trajectories)",
        [
            "run",
            f"g_{pair} peak (Å)",
            "height",
            "CN",
            "ISD vs Soper (Å)",
            "density (g/cm³)",
            "D (cm²/s)",
        ],
        rows,
    )
    for name, summary in per_label.items():
        if "diffusion_note" in summary:
            console.print(f"{name}: no diffusion coefficient ({summary['diffusion_note']})")
    console.print(f"Results in {results.path}")


def register(app: typer.Typer) -> None:
    app.command("analyse")(analyse_command)
