#!/usr/bin/python3
"""Writes an appendix table of N rows in the committee's TSV shape.

Rows cycle through A agencies (default 200: departments and communes),
several documents and every kind of deadline; every 50 rows a repeated
header and a continuation row appear, as in tables pasted from Word.
Usage: gen_table.py N OUT.tsv [A]
"""
import sys

HEADER = "STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n"
DOCS = ["Kế hoạch số %d-KH/BCĐ ngày 12/3/2026" % k for k in range(1, 6)]
DEADLINES = ["Quý I", "Quý II/2026", "Tháng 9", "Tháng 12 năm 2026", "Năm 2026",
             "6 tháng đầu năm 2027", "Hoàn thành trước ngày 30/9/2026", "15/10/2026",
             "Thường xuyên", "Theo tiến độ TW", "Trong năm 2027", "Quý IV/2026"]


def agencies(a):
    """A names: nine in ten communes, the rest departments."""
    deps = max(1, a // 10)
    return ["Sở Ban ngành số %d" % k for k in range(1, deps + 1)] + \
           ["Ủy ban nhân dân xã %d" % k for k in range(1, a - deps + 1)]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    AGENCIES = agencies(int(sys.argv[3]) if len(sys.argv) > 3 else 200)
    with open(out, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(1, n + 1):
            lead = AGENCIES[i % len(AGENCIES)]
            if i % 7 == 0:
                lead += "; " + AGENCIES[(i * 3) % len(AGENCIES)]
            f.write("%d.\tTriển khai nhiệm vụ chuyển đổi số, đổi mới sáng tạo số %d của "
                    "kế hoạch, bảo đảm tiến độ và chất lượng\t%s\t%s\t%s\n"
                    % (i, i, DOCS[i % len(DOCS)], lead, DEADLINES[i % len(DEADLINES)]))
            if i % 50 == 0:
                f.write("\n" + HEADER)
                f.write("\ttheo hướng dẫn của Trung ương\t\t\t\n")


if __name__ == "__main__":
    main()
