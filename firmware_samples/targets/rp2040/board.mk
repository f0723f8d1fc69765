# Raspberry Pi RP2040: Cortex-M0+ (Armv6-M, no FPU, no hardware divide in the core).
CPU := -mcpu=cortex-m0plus -mthumb -mfloat-abi=soft
