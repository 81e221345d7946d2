/* SPDX-License-Identifier: MIT */
/*
 * Generated once from the Unicode decompositions (python3 unicodedata);
 * tests/unit/test_norm.c checks every entry against utf8proc.  For each
 * precomposed Latin letter: its lowercase base letter without marks, or 0
 * when it has none (such code points take utf8proc's full path).
 */
#define FOLD_LATIN_FIRST 0x00C0
#define FOLD_LATIN_LAST 0x024F
static const char fold_latin[] =
	"aaaaaa0ceeeeiiii0nooooo00uuuuy00aaaaaa0ceeeeiiii0nooooo00uuuuy0y"
	"aaaaaaccccccccddddeeeeeeeeeegggggggghh00iiiiiiiii000jjkk0llllll0"
	"000nnnnnn000oooooo00rrrrrrsssssssstttt00uuuuuuuuuuuuwwyyyzzzzzzs"
	"00000000000000000000000000000000oo0000000000000uu000000000000000"
	"0000000000000aaiioouuuuuuuuuu0aaaa0000ggkkoooo00j000gg00nnaa0000"
	"aaaaeeeeiiiioooorrrruuuusstt00hh000000aaeeooooooooyy000000000000"
	"0000000000000000";
#define FOLD_LATIN_ADDITIONAL_FIRST 0x1E00
#define FOLD_LATIN_ADDITIONAL_LAST 0x1EFF
static const char fold_latin_additional[] =
	"aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm"
	"mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv"
	"wwwwwwwwwwxxxxyyzzzzzzhtwy0s0000aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"
	"eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy000000";
