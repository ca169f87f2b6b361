"""Vietnamese: hand-written sentences, cues and templates."""

from __future__ import annotations

from .pack import make_pack

VIETNAMESE = make_pack(
    code="vi",
    weight=0.9,
    faker_locale="vi_VN",
    accept_languages=("vi-VN,vi;q=0.9,fr-FR;q=0.8,fr;q=0.7,en-US;q=0.6,en;q=0.5", "vi,en-US;q=0.9,en;q=0.8"),
    countries=(("VN", 95), ("US", 5)),
    chars_per_token=2.2,
    length_factor=1.0,
    sep=" ",
    topics=(
        "biến đổi khí hậu",
        "lịch sử Đế chế La Mã",
        "trí tuệ nhân tạo trong y học",
        "làm việc từ xa",
        "ảnh hưởng của mạng xã hội đối với thanh thiếu niên",
        "năng lượng tái tạo",
        "quản lý thời gian cho sinh viên",
        "xe điện",
        "tầm quan trọng của giấc ngủ",
        "khám phá vũ trụ",
    ),
    requests=(
        "Viết một bài luận về {topic}.",
        "Bạn có thể viết một bài khoảng 500 từ về {topic} cho lớp văn của mình không?",
        "Hãy giải thích về {topic} bằng những từ ngữ đơn giản.",
        "Viết một câu chuyện ngắn về {topic}.",
        "Cho mình năm sự thật thú vị về {topic}.",
        "Viết một bài phát biểu thuyết phục về {topic} cho buổi tranh luận ở trường.",
        "Tóm tắt những lập luận ủng hộ và phản đối về {topic}.",
        "Lập dàn ý chi tiết cho một bài nghiên cứu về {topic}.",
    ),
    context=(
        "Bài viết cần trang trọng và có bố cục rõ ràng.",
        "Làm ơn dùng từ ngữ đơn giản.",
        "Cô giáo yêu cầu ít nhất ba đoạn văn và một phần kết luận.",
        "Hãy thêm một vài ví dụ trong cuộc sống hằng ngày.",
        "Mình phải nộp vào sáng mai nên hãy viết thật chi tiết.",
        "Đừng gạch đầu dòng, hãy viết thành một đoạn văn liền mạch.",
        "Người đọc là học sinh cấp ba chưa biết gì về chủ đề này.",
        "Mình muốn bài viết nghe tự nhiên, không giống máy viết.",
    ),
    followups=(
        "Bạn có thể viết dài hơn và thêm chi tiết không?",
        "Hãy viết lại với giọng văn trang trọng hơn.",
        "Viết ngắn lại, khoảng hai trăm từ thôi.",
        "Bạn có thể thêm một đoạn kết luận không?",
        "Gợi ý cho mình ba tiêu đề cho bài viết này.",
        "Cảm ơn bạn! Bạn có thể giải thích thêm vì sao điều này quan trọng không?",
        "Viết tiếp từ chỗ bạn dừng lại nhé.",
    ),
    shorts=(
        "xin chào",
        "cảm ơn bạn nhiều",
        "Tiếp tục đi",
        "bạn có nói được tiếng Việt không?",
        "chào buổi sáng",
    ),
    greeting_replies=(
        "Xin chào! Mình có thể giúp gì cho bạn hôm nay?",
        "Không có gì! Nếu bạn còn câu hỏi nào khác, cứ hỏi mình nhé.",
    ),
    openers=(
        "Tất nhiên rồi! Đây là bài luận về {topic}.",
        "Chắc chắn rồi. Dưới đây là câu trả lời chi tiết về {topic}.",
        "Được thôi, mình sẽ giải thích về {topic} từng bước một.",
        "Đây là một câu hỏi rất hay. Sau đây là những gì có thể nói về vấn đề này.",
    ),
    body=(
        "Trong những năm gần đây, chủ đề này đã trở thành một trong những vấn đề được thảo luận nhiều nhất "
        "trên "
        "thế giới.",
        "Có một số yếu tố quan trọng mà chúng ta cần cân nhắc.",
        "Trước hết, việc hiểu bối cảnh lịch sử là vô cùng cần thiết.",
        "Nhiều chuyên gia cho rằng tình hình sẽ thay đổi đáng kể trong thập kỷ tới.",
        "Mặt khác, một số người cho rằng những rủi ro này thường bị phóng đại.",
        "Ví dụ, một nghiên cứu gần đây cho thấy những thói quen nhỏ hằng ngày có thể tạo ra sự khác biệt "
        "lớn.",
        "Điều này ảnh hưởng trực tiếp đến kinh tế, giáo dục và cuộc sống của người dân bình thường.",
        "Cũng cần nhắc đến vai trò quan trọng của chính phủ trong quá trình này.",
        "Vì vậy, ngày càng có nhiều doanh nghiệp đầu tư vào các giải pháp mới.",
        "Tuy nhiên, vẫn còn rất nhiều việc phải làm.",
        "Một khía cạnh quan trọng khác là vai trò của công nghệ và đổi mới sáng tạo.",
        "Ngoài ra, nhận thức của cộng đồng đã tăng lên rõ rệt trong vài năm qua.",
        "Tóm lại, đây là một vấn đề phức tạp đòi hỏi sự suy nghĩ thấu đáo.",
    ),
    closers=(
        "Hy vọng điều này giúp ích cho bạn! Nếu cần chỉnh sửa gì, hãy cho mình biết nhé.",
        "Nếu bạn cần thêm chi tiết hoặc một phong cách khác, cứ hỏi mình nhé.",
        "Chúc bạn làm bài thật tốt!",
    ),
    code_requests=(
        "Viết một hàm Python đọc tệp CSV và tính giá trị trung bình của từng cột.",
        "Tại sao đoạn mã này không chạy được? Mình bị lỗi khi chạy nó.",
        "Bạn giúp mình sửa hàm này được không? Nó trả về kết quả sai.",
    ),
    code_paste="Đây là mã của mình:",
    code_intros=("Đây là phiên bản đã sửa của đoạn mã:", "Đây là một ví dụ chạy được:"),
    code_notes=(
        "Đầu tiên, hàm kiểm tra xem dữ liệu đầu vào có hợp lệ không.",
        "Bạn có thể chạy nó từ dòng lệnh bằng Python 3.",
        "Hãy chắc chắn rằng đường dẫn tệp là chính xác.",
        "Mình đã thêm chú thích để giải thích từng bước.",
    ),
    paste_requests=("Hãy sửa lỗi trong đoạn văn sau:", "Tóm tắt đoạn văn này trong ba câu:"),
    pii={
        "PERSON": ("Tên tôi là {value}.",),
        "EMAIL_ADDRESS": ("Email của tôi là {value}.",),
        "PHONE_NUMBER": ("Số điện thoại của tôi là {value}.",),
        "CREDIT_CARD": ("Số thẻ tín dụng của tôi là {value}, tại sao thanh toán bị từ chối?",),
        "ADDRESS": ("Địa chỉ của tôi là {value}.",),
    },
    phone_formats=("+84 98# ### ###", "+84 91# ### ###"),
    salutation="Kính gửi {value},",
    refusals=(
        "Xin lỗi, mình không thể giúp bạn với yêu cầu này.",
        "Là một trợ lý trí tuệ nhân tạo, mình phải tuân thủ các quy tắc và không thể tạo ra nội dung như "
        "vậy.",
    ),
    biography="Viết một tiểu sử ngắn về {name}.",
)
