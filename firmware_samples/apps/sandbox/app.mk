# A "form 2" semihosted program (newlib rdimon, no vector table), for the Cortex-M4F MPS2 board.
HOSTED_sandbox := 1
SKIP_TARGETS_sandbox := stm32f407 apollo3 nrf52840 stm32l4r5 samd51 efm32wg rp2040 stm32f103 mps2-an385
