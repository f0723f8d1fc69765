# ST STM32F103: Cortex-M3 (no FPU).
CPU := -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
