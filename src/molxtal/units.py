"""Unit conversions used across molxtal (CODATA 2018 through ASE)."""

from ase import units

#: kJ/mol per eV (per particle): 96.485 kJ/mol.
KJMOL_PER_EV = units.mol / units.kJ
#: meV per eV.
MEV_PER_EV = 1000.0
#: cm^-1 per eV.
INVCM_PER_EV = 1.0 / units.invcm
#: THz per eV (E = h f).
THZ_PER_EV = 1.0 / (units._hplanck / units._e * 1e12)
#: Gas constant in J/(mol K).
R_J_PER_MOL_K = units._k * units._Nav


def ev_to_kjmol(value_ev):
    """Convert eV per particle to kJ/mol."""
    return value_ev * KJMOL_PER_EV
