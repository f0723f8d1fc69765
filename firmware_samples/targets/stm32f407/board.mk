# ST STM32F407: Cortex-M4 with the single-precision FPU.
CPU := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
