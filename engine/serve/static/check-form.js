// The district list follows the province: only the districts of the chosen province are offered.
(() => {
  const province = document.getElementById("province");
  const district = document.getElementById("district");
  if (!province || !district) return;
  const follow = () => {
    for (const option of district.options) {
      const where = option.dataset.province;
      option.hidden = Boolean(where) && where !== province.value;
      if (option.hidden && option.selected) district.value = "";
    }
  };
  province.addEventListener("change", follow);
  follow();
})();
