#!/usr/bin/python3
"""Writes the feed benchmark's table (bench/feed.sh): N dated tasks in the
committee's TSV shape, led by A agencies in turn ("Đơn vị số K"), one in
three with a cooperating agency, due on days spread over 15 months, with
titles of every length, some with commas, semicolons and a backslash: what
the escaping and the folding of a calendar have to do.  Agency 1 leads
N/A tasks and cooperates on about as many more: the feed served.
Usage: gen_feed_table.py N OUT.tsv [A]
"""
import datetime
import sys

HEADER = ("STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\t"
          "Cơ quan phối hợp\tThời hạn hoàn thành\n")
DOCS = ["Kế hoạch số %d-KH/BCĐ ngày 12/3/2025" % k for k in range(1, 8)]
WORDS = ("triển khai chuyển đổi số, đổi mới sáng tạo; hoàn thiện cơ sở dữ liệu "
         "dùng chung của tỉnh, bảo đảm kết nối liên thông với hệ thống quốc gia "
         "và an toàn thông tin mạng theo quy định C:\\du-lieu của Trung ương").split()


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    a = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    day0 = datetime.date(2025, 10, 1)
    with open(out, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(1, n + 1):
            lead = "Đơn vị số %d" % ((i - 1) % a + 1)
            coop = "Đơn vị số %d" % ((i * 7) % a + 1) if i % 3 == 0 else ""
            words = 6 + (i * 13) % 40
            title = "Nhiệm vụ %d: " % i + " ".join(WORDS[(i + k) % len(WORDS)] for k in range(words))
            due = day0 + datetime.timedelta(days=(i * 37) % 450)
            f.write("%d.\t%s\t%s\t%s\t%s\t%d/%d/%d\n" % (i, title, DOCS[i % len(DOCS)], lead, coop,
                                                         due.day, due.month, due.year))


if __name__ == "__main__":
    main()
