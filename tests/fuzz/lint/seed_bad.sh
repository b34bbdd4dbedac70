# NG: エラーを無視してSETUP_COMPLETEを出す
pip install torch || true
python download_model.py || true
echo "SETUP_COMPLETE"  # ← モデルが無くても成功と報告
