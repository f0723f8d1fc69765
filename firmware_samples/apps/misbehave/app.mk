# Built for the MPS2 boards (Cortex-M4F, Cortex-M3) and the RP2040 (Cortex-M0+: every unaligned
# access faults there).
SKIP_TARGETS_misbehave := stm32f407 apollo3 nrf52840 stm32l4r5 samd51 efm32wg stm32f103
