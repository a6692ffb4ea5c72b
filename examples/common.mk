# Shared rules for building an example with GNU arm-none-eabi-gcc instead of the bundled clang
# (Debian: apt-get install gcc-arm-none-eabi). The model's C and the linker script come from
# mcutrain:
#
#   ../../mcutrain firmware MODEL --board $(BOARD) --example <name> --data DIR [training flags] --out build
#
# writes build/src/*.c|h (the training step, mt_model.h, the batch) and build/<name>_<model>.ld
# (RAM region = the budget). Then: make, make flash (st-flash or openocd), or make run (QEMU).

ROOT  ?= ../..
BOARD ?= stm32f746g-disco
OUT   ?= build
LD    := $(firstword $(wildcard $(OUT)/*.ld))
NAME  := $(basename $(notdir $(LD)))
CC    := arm-none-eabi-gcc
OBJCOPY := arm-none-eabi-objcopy
SIZE  := arm-none-eabi-size

ifeq ($(BOARD),nucleo-f411re)
  CPU := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
  OPT := -Os
  OPENOCD_CFG := board/st_nucleo_f4.cfg
else
  CPU := -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16
  OPT := -O2
  OPENOCD_CFG := board/stm32f7discovery.cfg
endif

CFLAGS := $(CPU) $(OPT) -std=c99 -Wall -Wextra -Werror -ffp-contract=off -ffreestanding \
          -fno-builtin -ffunction-sections -fdata-sections \
          -I$(ROOT)/runtime-c/include -I$(ROOT)/boards -I$(OUT)/src
SRCS := $(wildcard $(ROOT)/runtime-c/src/*/*.c) $(wildcard $(ROOT)/boards/common/*.c) \
        $(wildcard $(ROOT)/boards/$(BOARD)/*.c) $(wildcard $(OUT)/src/*.c) main.c
OBJS := $(patsubst %.c,$(OUT)/gcc/%.o,$(notdir $(SRCS)))
vpath %.c $(sort $(dir $(SRCS)))

ELF := $(OUT)/$(NAME)-gcc.elf

all: check $(ELF) $(OUT)/$(NAME)-gcc.bin $(OUT)/$(NAME)-gcc.hex
	$(SIZE) $(ELF)

check:
	@test -n "$(LD)" || { echo "no linker script in $(OUT)/: run mcutrain firmware ... --out $(OUT) first"; exit 1; }

$(OUT)/gcc/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(ELF): $(OBJS)
	$(CC) $(CPU) -nostdlib -Wl,--gc-sections -T $(LD) $(OBJS) -lgcc -o $@

%.bin: %.elf
	$(OBJCOPY) -O binary $< $@

%.hex: %.elf
	$(OBJCOPY) -O ihex $< $@

# Flash a board through its ST-LINK (Debian: stlink-tools or openocd).
flash: $(OUT)/$(NAME)-gcc.bin
	st-flash --reset write $< 0x08000000 || \
	  openocd -f $(OPENOCD_CFG) -c "program $(ELF) verify reset exit"

# mps2-an500 only: run in QEMU (Debian: qemu-system-arm).
run: $(ELF)
	qemu-system-arm -M mps2-an500 -display none -monitor none -serial none \
	  -chardev stdio,id=c0 -semihosting-config enable=on,target=native,chardev=c0 -kernel $(ELF)

clean:
	rm -rf $(OUT)/gcc $(OUT)/*-gcc.*

.PHONY: all check flash run clean
