# Arm MPS2 AN386: Cortex-M4 with single-precision FPU (FPv4-SP), hard-float ABI.
CPU := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
