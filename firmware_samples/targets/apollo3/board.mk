# Ambiq Apollo3 Blue: Cortex-M4 with FPv4-SP FPU, hard-float ABI.
CPU := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
