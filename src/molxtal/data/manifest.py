"""Checksummed manifest of the reference data files and their public sources.

Paths are relative to a data directory (the layout of ``../shared/refdata``). The SHA-256
sums are of the files as published at the pinned commits; no data is stored in molxtal.
"""

MANIFEST: dict[str, list[tuple[str, str, str]]] = {
    "dmc-ice13": [
        (
            "dmc_ice13/structures_vasp/Ih/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/Ih/POSCAR",
            "e6d8aeb3707b282e9bab58b87ca82bd7d0ffc33bcbe113b2a550ac3ae9e31916",
        ),
        (
            "dmc_ice13/structures_vasp/II/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/II/POSCAR",
            "d6b21ff7ee61c7fbeaa77a57ecdffb1c3d024eb69bd2504d6d3d41623036bec5",
        ),
        (
            "dmc_ice13/structures_vasp/III/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/III/POSCAR",
            "fe4e28e915db29db0deca78068a2c1a24cce17e27716a1d1eda01cad117d7a17",
        ),
        (
            "dmc_ice13/structures_vasp/IV/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/IV/POSCAR",
            "185591b61eb0217bb6d1152617373fccc3cc82f8a56d1a70b1376cc252d89448",
        ),
        (
            "dmc_ice13/structures_vasp/VI/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/VI/POSCAR",
            "b81ec0c213eb6506cae0c65ceb812e1242bd85c91d36d161169cd968b3b7c1f0",
        ),
        (
            "dmc_ice13/structures_vasp/VII/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/VII/POSCAR",
            "30953f2a1faf303a780752e55c8b39e50e2ee250cfe941167e5299949fc833ae",
        ),
        (
            "dmc_ice13/structures_vasp/VIII/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/VIII/POSCAR",
            "3a5014ee901c46323ad997d50162155907631d19b8a9fd3bc8aa9ffdb09357f6",
        ),
        (
            "dmc_ice13/structures_vasp/IX/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/IX/POSCAR",
            "cf9ca73f2560553884de874cc8ed89b8827357ddf02a52c623ebec37eaab7d2d",
        ),
        (
            "dmc_ice13/structures_vasp/XI/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/XI/POSCAR",
            "d3b4829dd10069af39d2fd4e839346321fac6b61f638090f45554413744a9e2b",
        ),
        (
            "dmc_ice13/structures_vasp/XIII/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/XIII/POSCAR",
            "bbdd87b9b042bd6f0217224d27ae9b56f6f1de72add3d0cf31e62396a8948b4d",
        ),
        (
            "dmc_ice13/structures_vasp/XIV/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/XIV/POSCAR",
            "ad1ffff4974135b05f080bc71672236e382267177c684b1ed987db12f12d0f55",
        ),
        (
            "dmc_ice13/structures_vasp/XV/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/XV/POSCAR",
            "d65029f0a82d6c833a92e5d49d7ee67db751e1ea3b7fda7896c36cadec029441",
        ),
        (
            "dmc_ice13/structures_vasp/XVII/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/XVII/POSCAR",
            "4a5be5cae409f29cf713db98a2bf51de2bcdfd456735bf395fc6326c660f532a",
        ),
        (
            "dmc_ice13/structures_vasp/water/POSCAR",
            "https://raw.githubusercontent.com/flavi1211/dmc-ice13/afd87c0a0d01c8db76c7040046fb225d9fe08115/INPUT/VASP/water/POSCAR",
            "5414b3757f611984772740d7a822f18a940457912432f6ddad03a836b41858c4",
        ),
        (
            "dmc_ice13/published_lattice_energies_kJmol_wide.csv",
            "https://raw.githubusercontent.com/DCM-Uni-Paderborn/Periodic-g-xTB-Benchmarks/ad4455c880b2a4c373792f076604f47041506d13/DMC-ICE13/data/dmc_ice13_published_dft_absolute_energies.csv",
            "83b9080ded3901dc6cbbed603a9d880a89f096769b73f5bb393f219dd1972565",
        ),
    ],
    "water-monomer": [
        (
            "water_monomer/thesis_omega.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/01_molecule/Analysis/omega.csv",
            "79768a840be6cda2bfe8363560542cbad0ce7d1653c377a4752e47e4942f7b29",
        ),
        (
            "water_monomer/thesis_angles.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/01_molecule/angles.csv",
            "6dc7a1c1c11a8bb89abe6deaf1f3437d5b4455cc9c41fe31e3e13883ff853e2e",
        ),
        (
            "water_monomer/thesis_bond_lengths.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/01_molecule/bond_lengths.csv",
            "dbe98f0e4a8b998c7bdb035b7b07168437c27b10f57f97a1b9b5b84060ee61b5",
        ),
        (
            "water_monomer/thesis_zero_point_energies.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/01_molecule/zero_point_energies.csv",
            "46778c45f9ef6a6e6d8e09916cbd370556a939624222407ce7422b677f695f85",
        ),
    ],
    "water-dimer": [
        (
            "water_dimer/thesis_harmonic_frequencies_comparison.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/02_dimer/01_optimize/Analisi/harmonic_frequencies_comparison.csv",
            "0cf0a910f254d3026e5cc433fa0554ebc99923c53b587bd435cffc13378340f6",
        ),
        (
            "water_dimer/thesis_geometria.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/02_dimer/01_optimize/geometria.csv",
            "60a2ab04cade18998db460fbda5ca5d64603ca5c03f161c77b7e5545e97aff84",
        ),
        (
            "water_dimer/thesis_errori.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/02_dimer/01_optimize/errori.csv",
            "10272f4c20edbdcb7c3a3f2fa209e34c2ac3f54af1e4d4b8cc2cffec0d08781f",
        ),
        (
            "water_dimer/thesis_zpe.csv",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/02_dimer/01_optimize/Analisi/zpe.csv",
            "1d0ed8aa525eb8862efc63b6c2ca47576b1d982570b2d23b7922c2bbf1d02e6a",
        ),
        (
            "water_dimer/thesis_dimer_init_guess.xyz",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/strutture/dimer/init.xyz",
            "beb93c424983aaad64c397a7a7e65e0d45f66319626fb421aa78da1c351bad10",
        ),
    ],
    "ice-ih-heat-capacity": [
        (
            "ice_ih_heat_capacity/flubacher1960_cp_cal_per_mol_K.txt",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/04_crystal_phonons/phonopy/analysis_assets/flubacher.txt",
            "ec75ec76dc1d6cfb4786a556e5341688bf23a62bb2a1d2f6961b134def9fc50b",
        ),
        (
            "ice_ih_heat_capacity/holzapfel_klotz2021_cv_over_R.txt",
            "https://raw.githubusercontent.com/visika/tesi-magistrale/3a4a366660f5b01580c40064f07c96972ed3908e/simulazioni/02_water/04_crystal_phonons/phonopy/analysis_assets/holzapfel_klotz_2021.txt",
            "7869bdb2aeb6ab4db6af7fe2c37786d6c0aae6ac1d9c423c8c8fc76ac06badac",
        ),
    ],
    "liquid-water-rdf": [
        (
            "liquid_water_rdf/soper2013_dist_funcs_simpack.dat",
            "https://raw.githubusercontent.com/alecpwills/simpack/b0a7d8db6edd4b916e51c76aef15c892b4bbd4ce/simpack/experiment/soper2013_dist_funcs",
            "c5a19a50466c4fba25c9f910e85d3c30b9f1818b9c2b4b78cf6170f2cadfc64b",
        ),
    ],
}


# X23 (Della Pia et al., Phys. Rev. Lett. 133, 046401 (2024)) from the authors' repository at a
# pinned commit; no licence file, so read at run time only. "sha256 path-in-data-dir" per line;
# the path in the repository follows from the folder map below.
_X23_COMMIT = "147a60c6911568d037c2ec8baf294dbfc589c461"
_X23_SOURCE = f"https://raw.githubusercontent.com/water-ice-group/MolCrys-DMC/{_X23_COMMIT}/"
_X23_FOLDERS = {
    "x23/solid/": "data_dmc/solid/",
    "x23/molecule/": "data_dmc/molecule/",
    "x23/diffusion_monte_carlo_DMC": "data_figures/diffusion-monte-carlo/DMC",
    "x23/vibrational/": "data_figures/vibrational-contribution/",
    "x23/experiment_extrapolated/": "data_figures/experiments/extrapolated/",
}
_X23_SHA256 = """
6c8a8937547f1c607b8afb79a998af74fdb36f21f691afacdd2435e2fb10c4c5 x23/solid/01CYHEXO/POSCAR
1857fed97d3d3570a1481c79e219ea354cce62ad78cd43a2deed40f0a1d3cb74 x23/solid/02acetic_acid/POSCAR
e45be291af79641590abad6dbcf8f1d9fb5cb1a84af8e3686737faf9314591cd x23/solid/03adamantane/POSCAR
1f768532fc4c36a1c948eb0724413294b22cbe7b049144d4d830edfb490a6726 x23/solid/04ammonia/POSCAR
a62986c42a507d9731c8b50ed35ce25755640191a77310b6a34e34b4fd94655e x23/solid/05anthracene/POSCAR
0f56daaba043fa43c6460f63e929cd5cf86998601998d61cefb7a698606afe94 x23/solid/06benzene/POSCAR
f7b0bb2fd46c6a912b6fce438988a143bb1de3df6036793def8c9603931debdb x23/solid/07co2/POSCAR
66d3e69bf5b2092f58f86c759093e8e6b5568a13f8b621d7eafea7a2ef63aa79 x23/solid/08cyanamide/POSCAR
675ec9fe2cd99d8171ffc7ef4b445aa44edf9264fec4dee489c1aee76c679925 x23/solid/09cytosine/POSCAR
ccc125d9e2de285fe1627c1ebef71b1b000092d2dfe454ec0ea208bc69b08db8 x23/solid/10ethylcarbamate/POSCAR
b6b5bf481a2493c3ebb04b56ec595625c0c942000044cc408ea8195574e41abe x23/solid/11formamide/POSCAR
e69bcc7c9a4c9465600e3278c52c3a09c2be37cf276a6a3133df2d24a0bc6f47 x23/solid/12imidazole/POSCAR
73d72ae04c169cf655671e9ee100760c670aab58d3823585fac31f802e45b2ff x23/solid/13naphtalene/POSCAR
6f29ee4a708d614517412e47dc9079866a7240c465d057a1e8899c624ab65500 x23/solid/14oxalic_acid_alpha/POSCAR
7b0e616f61cbba01e80f06867f2c6f1c800332e53815b8acb729c1cc6ee2d062 x23/solid/15oxalic_acid_beta/POSCAR
84ff28274bae09171ed9c767ab10dfb9201e446c9c4ce607b7ab36f4bb1d8570 x23/solid/16pyrazine/POSCAR
fa831cf32a18dee8c9c20f512025a8660315d0b4cea472b0bb7b1fe31db72c3d x23/solid/17pyrazole/POSCAR
41bcbc46839324faeaa07f2fddd48070c66fbed909daf46f249620ac6c547e8d x23/solid/18triazine/POSCAR
913135e3b2f23fb5dfec4d72f03ee80e16d8920dfbd762640eee6d7a4ee0bee6 x23/solid/19trioxane/POSCAR
75f303519a2fd1c3f95f66aac9649ae0f76321d558f2f41df644d383c0813107 x23/solid/20uracil/POSCAR
fc1e01cd446004b5ba338ca5fc7f122e1978fcecc24002f7459c6d6bc7dbc8c9 x23/solid/21urea/POSCAR
236acadbb2e045787424e8fe35f90b7884c1b26ba90a8b35181b97bb310006e7 x23/solid/22Hexamine/POSCAR
23109a2c222b2221a340a318a398dd8ff5531b8fe68c2125e0d2e77bc86cdfcc x23/solid/23Succinic_acid/POSCAR
d5fef1df7ebf8c4c220ec3878588ed069c1f5e6dbd981f97e6a6ab039252b527 x23/molecule/01CYHEXO/POSCAR
642c5dfe45831e2f5d5d2a2cd9205c3458e699ccf4fb90e2b334739127f20fe3 x23/molecule/02acetic_acid/POSCAR
3dc98c4a72e72ebc618310b193611e4463c6bd0c980d83c2f5b018fc6c524c40 x23/molecule/03adamantane/POSCAR
d3f8f34fa83deda130567c59bc06d8bef699fa4c4d631d8cc097c2aab4e5f643 x23/molecule/04ammonia/POSCAR
982137e60960ac7ac37d315a576bb4aba5dab5d36cc69a1db557c2e4593eb584 x23/molecule/05anthracene/POSCAR
b045b3b1bfdab774a73eba66ec27c93fdb9491422b1c608c758607cf184faf17 x23/molecule/06benzene/POSCAR
883550fe7d70476b5c40ae73a6e74ba8e5846f18c9bd5daa06ebc465933d9cfa x23/molecule/07co2/POSCAR
9e1888ab4433d4f962a73c5110ce48ccd6dd678a13f73e283c7e8e01abab7043 x23/molecule/08cyanamide/POSCAR
d5574f416a43d39421282585c7cb4ad6a2f98e67f89d63fc3913482e74fa0958 x23/molecule/09cytosine/POSCAR
420b4bbe7d83a0202ea91cf0e5be37098e65deb84206ad9fc4b4be3cc4555e6c x23/molecule/10ethylcarbamate/POSCAR
f842affa40d65bbe48006ea7058de0b503fee9e8b1ab26d7776f5004b1b3addb x23/molecule/11formamide/POSCAR
d15779d19a07d95251e3a024102189d1173cda75b97062324dcc96307e5efdab x23/molecule/12imidazole/POSCAR
195b5214b661540c23a49b71d5564d5ba6a9f85b15c2b1838f5713fc44c702ed x23/molecule/13naphtalene/POSCAR
a99fdceb5ef1c70ee3a8f5d7cf3fa085d8ef3722e1c265ae37dfeb3eab3a83e7 x23/molecule/14oxalic_acid_alpha/POSCAR
a99fdceb5ef1c70ee3a8f5d7cf3fa085d8ef3722e1c265ae37dfeb3eab3a83e7 x23/molecule/15oxalic_acid_beta/POSCAR
244b32d9c058eb6ce358326e5a78aad8aad581f69ad1425fefa58f82d01ec8d8 x23/molecule/16pyrazine/POSCAR
b5f23e64e06cf40c1ef8faf0e5fbaad45c97e76b017ce355a4a23184309ff673 x23/molecule/17pyrazole/POSCAR
4fe8cb9e84b23571e08e492660a0a2262a657bf295134e63a0434ce23800f21b x23/molecule/18triazine/POSCAR
745a7f80f243cf4b93c9ef7fa0fdbd6eae6eea4ab709ea920b08d84a9263cc50 x23/molecule/19trioxane/POSCAR
a3e2e1555f040222c25e1c303acce7c61167e5c4d1d8ca9d16ea9b308f2dc06c x23/molecule/20uracil/POSCAR
51dbdc9cc03a810248336398405ee8bfec91bad5ca289b32ee04b7c7da916cac x23/molecule/21urea/POSCAR
66d851a1c5952a6f11429ff766dd657d8626383f4eb4b06033178eacbd8db655 x23/molecule/22Hexamine/POSCAR
313a5af5212940b392010283470ae5044ccacd0d207f8bc87a976e9d8efa54c7 x23/molecule/23Succinic_acid/POSCAR
2fc1156a76591e054fa0ce4c3c995a6ace6d972f129d2c43a3159df326fca5f7 x23/diffusion_monte_carlo_DMC
825b33ba1b4dc98cadc83e880de155e3ec542dfaeddb8831722c71b024b2ce5b x23/vibrational/vib_DHB
9bc8f97daf97f0a2e0fcb7a57d80edd5e7c57c618fd8726d2170bab6a19d15cf x23/vibrational/DHB_uncertainty
d4f67dbf1208598ef1d27a49718d80c0996aa62db53ddf64b42bfe5a87531422 x23/experiment_extrapolated/expdata_1_with_corrections.txt
20c74ad75a1e7bc546bfec95d32cd11563d637cb786e3b9da67c289ed8dd5a41 x23/experiment_extrapolated/expdata_2_with_corrections.txt
1eb6f8d991a6c2b667b8890b0285c16d5b27fb16d4e409dcaa14cc665b4f04e2 x23/experiment_extrapolated/expdata_3_with_corrections.txt
63257cddd64fc31bacf4440a3a622bf48f37072b9dc1cfc759ab1b47a4cbf7ff x23/experiment_extrapolated/expdata_4_with_corrections.txt
896ab34ee1a2d5726d226eb6978c7b9b2392545b55ae58517b56f48983596b18 x23/experiment_extrapolated/expdata_5_with_corrections.txt
7cf3f84e5a400e3bc0d6f13a57c6ddead5842c914f3945ebe75b8b4e371d9edb x23/experiment_extrapolated/expdata_6_with_corrections.txt
03233f3bd5ee30a360c71ed4bc40a577e078580782882545502b133e6206850f x23/experiment_extrapolated/expdata_7_with_corrections.txt
3bb35e9bf559cc0e2f1817af33ada91ac892922ff5023cc6dea3f9b5fefc2f26 x23/experiment_extrapolated/expdata_8_with_corrections.txt
8df04e5358a4ca29b8b70f1d8b99a6d2119246fb74ed538f83aa9cb070a21c4f x23/experiment_extrapolated/expdata_9_with_corrections.txt
0b5eb8ea554da889f2019a4fae88300bf5a37b1202ef11b2354277389d828f1a x23/experiment_extrapolated/expdata_10_with_corrections.txt
fbd3b8ce01f758d400fadc3d5b6f8c692df31b6300d35cc00f3a5ef3ce911049 x23/experiment_extrapolated/expdata_11_with_corrections.txt
61266df4c00ed1ed868b090ff1f30c2ddc80ef04ed253d747598e0f01ae69a31 x23/experiment_extrapolated/expdata_12_with_corrections.txt
8f6de0904329f6f00c519e593d6177375041f4ac0393f89b2a5e0c81918227ea x23/experiment_extrapolated/expdata_13_with_corrections.txt
0b6f27d4bca11c06b6fa35b29d8b75a867fb9138bf317505d51a3ec92662b373 x23/experiment_extrapolated/expdata_14_with_corrections.txt
f685a9794785baedb05b4cb2cf0c7d4528084d507e9468d23386ee15a11f66c3 x23/experiment_extrapolated/expdata_15_with_corrections.txt
1b4a23b9c838294fc7be276486127dbf0270ba1998ff5764b70450e5bbfb18cb x23/experiment_extrapolated/expdata_16_with_corrections.txt
3f38d60d64bd036cbc2927082ccdda99c9bf2e2249190374a5f1094d9888044a x23/experiment_extrapolated/expdata_17_with_corrections.txt
d7352b68de8830fdcae65aa3e0e00a2aecede7c5cbd37f34988f97391abcdbc1 x23/experiment_extrapolated/expdata_18_with_corrections.txt
1122eef9d0f68b8544e4ccfa81c04ecd573b66f23e130b6305be2c1229e2236b x23/experiment_extrapolated/expdata_19_with_corrections.txt
edd0c7b202dc3c7c7836182a5cd75b0869d48e597af9b7d7f6835d0ec3810b66 x23/experiment_extrapolated/expdata_20_with_corrections.txt
1f896d548237a31c7d9cddc2d30585049a52b7f74d8f81bd3b5223db11cc7e0f x23/experiment_extrapolated/expdata_21_with_corrections.txt
3b638b5a14038894aba1c9759e30d2ceb4b14fa92be7ca1d6e1822d93f1edadb x23/experiment_extrapolated/expdata_22_with_corrections.txt
340ab4449873e0f663ac29b6daa86181b8d9d613136f818b3a10d5cafd0380a5 x23/experiment_extrapolated/expdata_23_with_corrections.txt
"""


def _x23_source(relpath: str) -> str:
    prefix = next(p for p in _X23_FOLDERS if relpath.startswith(p))
    return _X23_SOURCE + _X23_FOLDERS[prefix] + relpath[len(prefix) :]


MANIFEST["x23"] = [
    (relpath, _x23_source(relpath), sha256)
    for sha256, relpath in (line.split() for line in _X23_SHA256.strip().splitlines())
]
