# Arm MPS2 AN385: Cortex-M3 (no FPU; floating point is done in software).
CPU := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
