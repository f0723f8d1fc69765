SKIP_TARGETS_exceptions := stm32f407 apollo3 nrf52840 stm32l4r5 samd51 efm32wg rp2040 stm32f103
