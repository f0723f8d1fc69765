/*
 * board.c - the AN385 image has the same CMSDK UART0 (0x40004000) as AN386;
 * see ../mps2-an386/board.c for the register facts and their sources.
 */
#include "../mps2-an386/board.c"
